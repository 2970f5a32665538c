/**
 * Reference data for generated orders: Brazilian names, cities, a small catalogue, carriers and
 * VTEX payment systems. Real-looking on purpose, because tests search the ERP for these values.
 */

export const FIRST_NAMES = [
  'Ana',
  'Maria',
  'Juliana',
  'Fernanda',
  'Camila',
  'Beatriz',
  'Larissa',
  'Patrícia',
  'Aline',
  'Mariana',
  'Gabriela',
  'Letícia',
  'Amanda',
  'Bruna',
  'Carolina',
  'Vanessa',
  'Renata',
  'Luciana',
  'Débora',
  'Tatiane',
  'Isabela',
  'Sofia',
  'Helena',
  'Júlia',
  'Raquel',
  'João',
  'José',
  'Pedro',
  'Lucas',
  'Gabriel',
  'Rafael',
  'Matheus',
  'Felipe',
  'Bruno',
  'Gustavo',
  'Rodrigo',
  'Thiago',
  'André',
  'Marcelo',
  'Eduardo',
  'Carlos',
  'Paulo',
  'Ricardo',
  'Leonardo',
  'Diego',
  'Vinícius',
  'Henrique',
  'Fábio',
  'Daniel',
  'Antônio',
  'Francisco',
  'Luiz',
  'Marcos',
  'Sérgio',
  'Roberto',
];

export const LAST_NAMES = [
  'Silva',
  'Santos',
  'Oliveira',
  'Souza',
  'Rodrigues',
  'Ferreira',
  'Alves',
  'Pereira',
  'Lima',
  'Gomes',
  'Costa',
  'Ribeiro',
  'Martins',
  'Carvalho',
  'Almeida',
  'Lopes',
  'Soares',
  'Fernandes',
  'Vieira',
  'Barbosa',
  'Rocha',
  'Dias',
  'Nascimento',
  'Andrade',
  'Moreira',
  'Nunes',
  'Marques',
  'Machado',
  'Mendes',
  'Freitas',
  'Cardoso',
  'Ramos',
  'Gonçalves',
  'Santana',
  'Teixeira',
  'Araújo',
  'Cavalcanti',
  'Monteiro',
  'Moura',
  'Correia',
  'Pinto',
  'Campos',
  'Batista',
  'Azevedo',
];

export const EMAIL_DOMAINS = ['gmail.com', 'hotmail.com', 'outlook.com', 'yahoo.com.br', 'uol.com.br', 'bol.com.br', 'terra.com.br'];

/** Company names for corporate buyers ("<word> <suffix>"). */
export const COMPANY_WORDS = [
  'Aurora',
  'Horizonte',
  'Paulista',
  'Atlântico',
  'Cerrado',
  'Ipê',
  'Serra Azul',
  'Boa Vista',
  'Nova Era',
  'Pampa',
  'Litoral',
  'Mantiqueira',
  'Jatobá',
  'Araucária',
  'Tupã',
  'Vale Verde',
];
export const COMPANY_KINDS = ['Comércio', 'Distribuidora', 'Serviços', 'Tecnologia', 'Alimentos', 'Papelaria', 'Construções'];

export interface City {
  name: string;
  uf: string;
  ddd: string;
  /** First five CEP digits range [from, to]. */
  cep: [number, number];
  lon: number;
  lat: number;
  neighborhoods: string[];
  streets: string[];
}

export const CITIES: City[] = [
  {
    name: 'São Paulo',
    uf: 'SP',
    ddd: '11',
    cep: [1000, 5999],
    lon: -46.6333,
    lat: -23.5505,
    neighborhoods: ['Pinheiros', 'Vila Mariana', 'Moema', 'Tatuapé', 'Santana', 'Itaim Bibi', 'Perdizes', 'Mooca'],
    streets: [
      'Rua Augusta',
      'Avenida Paulista',
      'Rua Oscar Freire',
      'Rua Vergueiro',
      'Rua da Consolação',
      'Avenida Brigadeiro Faria Lima',
      'Rua Teodoro Sampaio',
      'Rua Domingos de Morais',
    ],
  },
  {
    name: 'Rio de Janeiro',
    uf: 'RJ',
    ddd: '21',
    cep: [20000, 23799],
    lon: -43.1729,
    lat: -22.9068,
    neighborhoods: ['Copacabana', 'Tijuca', 'Botafogo', 'Barra da Tijuca', 'Leblon', 'Méier'],
    streets: [
      'Avenida Atlântica',
      'Rua Voluntários da Pátria',
      'Rua Conde de Bonfim',
      'Avenida das Américas',
      'Rua Dias Ferreira',
      'Avenida Lúcio Costa',
    ],
  },
  {
    name: 'Belo Horizonte',
    uf: 'MG',
    ddd: '31',
    cep: [30000, 31999],
    lon: -43.9378,
    lat: -19.9208,
    neighborhoods: ['Savassi', 'Lourdes', 'Funcionários', 'Pampulha', 'Buritis'],
    streets: ['Avenida Afonso Pena', 'Rua da Bahia', 'Avenida do Contorno', 'Rua Pernambuco'],
  },
  {
    name: 'Curitiba',
    uf: 'PR',
    ddd: '41',
    cep: [80000, 82999],
    lon: -49.2733,
    lat: -25.4284,
    neighborhoods: ['Batel', 'Água Verde', 'Centro', 'Bigorrilho', 'Portão'],
    streets: ['Rua XV de Novembro', 'Avenida Sete de Setembro', 'Rua Comendador Araújo', 'Avenida Batel'],
  },
  {
    name: 'Porto Alegre',
    uf: 'RS',
    ddd: '51',
    cep: [90000, 91999],
    lon: -51.2177,
    lat: -30.0346,
    neighborhoods: ['Moinhos de Vento', 'Bom Fim', 'Cidade Baixa', 'Menino Deus'],
    streets: ['Avenida Ipiranga', 'Rua dos Andradas', 'Avenida Osvaldo Aranha', 'Rua Padre Chagas'],
  },
  {
    name: 'Salvador',
    uf: 'BA',
    ddd: '71',
    cep: [40000, 42599],
    lon: -38.5014,
    lat: -12.9714,
    neighborhoods: ['Barra', 'Pituba', 'Rio Vermelho', 'Itaigara'],
    streets: ['Avenida Sete de Setembro', 'Rua Chile', 'Avenida Tancredo Neves', 'Avenida Oceânica'],
  },
  {
    name: 'Recife',
    uf: 'PE',
    ddd: '81',
    cep: [50000, 52999],
    lon: -34.877,
    lat: -8.0476,
    neighborhoods: ['Boa Viagem', 'Casa Forte', 'Espinheiro', 'Graças'],
    streets: ['Avenida Boa Viagem', 'Rua da Aurora', 'Avenida Conselheiro Aguiar'],
  },
  {
    name: 'Fortaleza',
    uf: 'CE',
    ddd: '85',
    cep: [60000, 61599],
    lon: -38.5434,
    lat: -3.7319,
    neighborhoods: ['Aldeota', 'Meireles', 'Fátima', 'Cocó'],
    streets: ['Avenida Beira Mar', 'Rua Barão de Studart', 'Avenida Santos Dumont'],
  },
  {
    name: 'Brasília',
    uf: 'DF',
    ddd: '61',
    cep: [70000, 72799],
    lon: -47.8825,
    lat: -15.7942,
    neighborhoods: ['Asa Sul', 'Asa Norte', 'Lago Sul', 'Sudoeste'],
    streets: ['SQS 308 Bloco C', 'SQN 210 Bloco A', 'SHIS QI 9 Conjunto 4', 'CLN 406 Bloco B'],
  },
  {
    name: 'Goiânia',
    uf: 'GO',
    ddd: '62',
    cep: [74000, 74899],
    lon: -49.2648,
    lat: -16.6869,
    neighborhoods: ['Setor Bueno', 'Setor Marista', 'Setor Oeste'],
    streets: ['Avenida T-63', 'Rua 9', 'Avenida República do Líbano'],
  },
  {
    name: 'Florianópolis',
    uf: 'SC',
    ddd: '48',
    cep: [88000, 88099],
    lon: -48.548,
    lat: -27.5954,
    neighborhoods: ['Centro', 'Trindade', 'Lagoa da Conceição', 'Agronômica'],
    streets: ['Avenida Beira-Mar Norte', 'Rua Felipe Schmidt', 'Rua Lauro Linhares'],
  },
  {
    name: 'Campinas',
    uf: 'SP',
    ddd: '19',
    cep: [13000, 13139],
    lon: -47.0626,
    lat: -22.9099,
    neighborhoods: ['Cambuí', 'Taquaral', 'Barão Geraldo'],
    streets: ['Avenida Norte-Sul', 'Rua Barreto Leme', 'Avenida José de Souza Campos'],
  },
  {
    name: 'Manaus',
    uf: 'AM',
    ddd: '92',
    cep: [69000, 69099],
    lon: -60.0217,
    lat: -3.119,
    neighborhoods: ['Adrianópolis', 'Centro', 'Ponta Negra'],
    streets: ['Avenida Eduardo Ribeiro', 'Avenida Djalma Batista', 'Rua Pará'],
  },
  {
    name: 'Belém',
    uf: 'PA',
    ddd: '91',
    cep: [66000, 66999],
    lon: -48.4902,
    lat: -1.4558,
    neighborhoods: ['Nazaré', 'Umarizal', 'Batista Campos'],
    streets: ['Avenida Presidente Vargas', 'Avenida Nazaré', 'Travessa Padre Eutíquio'],
  },
  {
    name: 'Vitória',
    uf: 'ES',
    ddd: '27',
    cep: [29000, 29099],
    lon: -40.3128,
    lat: -20.3155,
    neighborhoods: ['Praia do Canto', 'Jardim Camburi', 'Jardim da Penha'],
    streets: ['Avenida Nossa Senhora da Penha', 'Rua Aleixo Netto', 'Avenida Fernando Ferrari'],
  },
  {
    name: 'Natal',
    uf: 'RN',
    ddd: '84',
    cep: [59000, 59159],
    lon: -35.2094,
    lat: -5.7945,
    neighborhoods: ['Ponta Negra', 'Tirol', 'Petrópolis'],
    streets: ['Avenida Engenheiro Roberto Freire', 'Avenida Hermes da Fonseca', 'Rua Mossoró'],
  },
];

export interface Product {
  name: string;
  brand: string;
  category: string;
  /** Price in cents. */
  price: number;
}

export const PRODUCTS: Product[] = [
  { name: 'Camiseta Básica Algodão Preta M', brand: 'Hering', category: 'Vestuário', price: 4990 },
  { name: 'Calça Jeans Slim Azul 42', brand: "Levi's", category: 'Vestuário', price: 22990 },
  { name: 'Tênis de Corrida Ultraboost 41', brand: 'Adidas', category: 'Calçados', price: 89990 },
  { name: 'Tênis Casual Old Skool 39', brand: 'Vans', category: 'Calçados', price: 39990 },
  { name: 'Fone de Ouvido Bluetooth Tune 510BT', brand: 'JBL', category: 'Eletrônicos', price: 27990 },
  { name: 'Smartphone Galaxy A15 128GB', brand: 'Samsung', category: 'Eletrônicos', price: 119900 },
  { name: 'Carregador Turbo USB-C 25W', brand: 'Samsung', category: 'Eletrônicos', price: 8990 },
  { name: 'Cafeteira Elétrica 30 Xícaras', brand: 'Mondial', category: 'Eletroportáteis', price: 12990 },
  { name: 'Liquidificador Turbo 1200W', brand: 'Philips Walita', category: 'Eletroportáteis', price: 21990 },
  { name: 'Panela de Pressão 4,5 L', brand: 'Tramontina', category: 'Casa', price: 15990 },
  { name: 'Jogo de Toalhas 4 Peças', brand: 'Buddemeyer', category: 'Casa', price: 13990 },
  { name: 'Garrafa Térmica Inox 1 L', brand: 'Stanley', category: 'Casa', price: 24990 },
  { name: 'Livro Dom Casmurro', brand: 'Penguin-Companhia', category: 'Livros', price: 3490 },
  { name: 'Perfume Malbec 100 ml', brand: 'O Boticário', category: 'Beleza', price: 19990 },
  { name: 'Protetor Solar FPS 50 200 ml', brand: 'La Roche-Posay', category: 'Beleza', price: 9990 },
  { name: 'Shampoo Hidratação 400 ml', brand: 'Natura', category: 'Beleza', price: 3290 },
  { name: 'Mochila Executiva para Notebook 15,6"', brand: 'Samsonite', category: 'Acessórios', price: 45990 },
  { name: 'Relógio Digital Esportivo', brand: 'Casio', category: 'Acessórios', price: 18990 },
  { name: 'Óculos de Sol Aviador', brand: 'Ray-Ban', category: 'Acessórios', price: 69990 },
  { name: 'Bola de Futebol de Campo', brand: 'Penalty', category: 'Esporte', price: 11990 },
  { name: 'Kit 3 Meias Esportivas', brand: 'Lupo', category: 'Esporte', price: 4490 },
  { name: 'Cadeira Gamer Reclinável', brand: 'ThunderX3', category: 'Móveis', price: 109990 },
  { name: 'Mouse Sem Fio M170', brand: 'Logitech', category: 'Informática', price: 6990 },
  { name: 'Teclado Mecânico K552', brand: 'Redragon', category: 'Informática', price: 22990 },
  { name: 'Monitor LED 24" Full HD', brand: 'LG', category: 'Informática', price: 79990 },
  { name: 'Ração Premium Cães Adultos 15 kg', brand: 'Golden', category: 'Pet', price: 16990 },
  { name: 'Fralda Confort Sec G 60 unidades', brand: 'Pampers', category: 'Bebê', price: 8990 },
  { name: 'Azeite Extra Virgem 500 ml', brand: 'Gallo', category: 'Mercearia', price: 3990 },
  { name: 'Café Torrado em Grãos 1 kg', brand: 'Três Corações', category: 'Mercearia', price: 5990 },
  { name: 'Vinho Tinto Malbec 750 ml', brand: 'Catena Zapata', category: 'Bebidas', price: 15990 },
];

export interface Carrier {
  name: string;
  sla: string;
  /** Business days [min, max]. */
  days: [number, number];
  /** Shipping price per order in cents [min, max]. */
  price: [number, number];
}

export const CARRIERS: Carrier[] = [
  { name: 'Correios PAC', sla: 'Normal', days: [5, 10], price: [1490, 3490] },
  { name: 'Correios SEDEX', sla: 'Expressa', days: [1, 3], price: [2490, 5990] },
  { name: 'Jadlog', sla: 'Econômica', days: [3, 7], price: [1290, 2990] },
  { name: 'Total Express', sla: 'Normal', days: [2, 5], price: [1590, 3990] },
];

export interface PaymentSystem {
  id: string;
  name: string;
  group: 'creditCard' | 'bankInvoice' | 'giftCard' | 'instantPayment';
}

export const VISA: PaymentSystem = { id: '2', name: 'Visa', group: 'creditCard' };
export const MASTERCARD: PaymentSystem = { id: '4', name: 'Mastercard', group: 'creditCard' };
export const AMEX: PaymentSystem = { id: '1', name: 'American Express', group: 'creditCard' };
export const PIX: PaymentSystem = { id: '125', name: 'Pix', group: 'instantPayment' };
export const BOLETO: PaymentSystem = { id: '6', name: 'Boleto Bancário', group: 'bankInvoice' };
export const VALE: PaymentSystem = { id: '16', name: 'Vale', group: 'giftCard' };

/** Single-payment mix, weights roughly like a Brazilian store: cards and Pix dominate. */
export const SINGLE_PAYMENTS: Array<[PaymentSystem, number]> = [
  [VISA, 30],
  [MASTERCARD, 28],
  [AMEX, 5],
  [PIX, 25],
  [BOLETO, 10],
  [VALE, 2],
];
export const CARDS: PaymentSystem[] = [VISA, MASTERCARD, AMEX];
